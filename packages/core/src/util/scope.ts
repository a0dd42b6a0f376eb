import { tf } from '../tf.js';

/**
 * Like `tf.tidy`, but `fn` may return plain data: every tensor created inside is freed on exit,
 * except tensors explicitly `tf.keep`-ed.
 */
export function scoped<T>(fn: () => T): T {
  tf.engine().startScope();
  try {
    return fn();
  } finally {
    tf.engine().endScope();
  }
}
