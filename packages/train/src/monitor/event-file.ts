/**
 * A TensorBoard event file (`events.out.tfevents.<time>.<host>`) written without TensorFlow: the
 * `Event`, `Summary` and `SessionLog` messages of tensorflow/core/util/event.proto and
 * framework/summary.proto (the few fields scalars need), encoded with protobufjs, framed as
 * TFRecords and appended synchronously, so a killed run keeps every event written.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs/light.js';
import { tfRecord } from './tfrecord.js';

const root = protobuf.Root.fromJSON({
  nested: {
    tensorflow: {
      nested: {
        Event: {
          oneofs: { what: { oneof: ['fileVersion', 'summary', 'sessionLog'] } },
          fields: {
            wallTime: { type: 'double', id: 1 },
            step: { type: 'int64', id: 2 },
            fileVersion: { type: 'string', id: 3 },
            summary: { type: 'Summary', id: 5 },
            sessionLog: { type: 'SessionLog', id: 7 },
          },
        },
        Summary: {
          fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
          nested: {
            Value: {
              oneofs: { value: { oneof: ['simpleValue'] } },
              fields: { tag: { type: 'string', id: 1 }, simpleValue: { type: 'float', id: 2 } },
            },
          },
        },
        SessionLog: {
          fields: { status: { type: 'SessionStatus', id: 1 } },
          nested: { SessionStatus: { values: { STATUS_UNSPECIFIED: 0, START: 1, STOP: 2, CHECKPOINT: 3 } } },
        },
      },
    },
  },
});
const Event = root.lookupType('tensorflow.Event');

/** Scalars of one step: tag → value (non-finite values are written too; TensorBoard shows them). */
export type Scalars = Readonly<Record<string, number>>;

/** Appends events to one file; `file` is its path. */
export class EventFileWriter {
  readonly file: string;

  /** Creates `dir/events.out.tfevents.<unix seconds>.<host>` and writes the `brain.Event:2` version record. */
  constructor(dir: string, now: Date = new Date()) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `events.out.tfevents.${Math.floor(now.getTime() / 1000)}.${hostname()}`);
    this.write({ wallTime: now.getTime() / 1000, step: 0, fileVersion: 'brain.Event:2' });
  }

  private write(event: Record<string, unknown>): void {
    appendFileSync(this.file, tfRecord(Event.encode(Event.fromObject(event)).finish()));
  }

  /** One `Event` holding a `Summary` with a `simple_value` per tag. */
  scalars(step: number, values: Scalars, wallTime = Date.now() / 1000): void {
    const value = Object.entries(values).map(([tag, simpleValue]) => ({ tag, simpleValue }));
    if (value.length > 0) this.write({ wallTime, step, summary: { value } });
  }

  /**
   * A `SessionLog` START at `step`: TensorBoard then drops the events at steps ≥ `step` written
   * before, i.e. the steps a resumed run replays after its last checkpoint.
   */
  sessionStart(step: number, wallTime = Date.now() / 1000): void {
    this.write({ wallTime, step, sessionLog: { status: 'START' } });
  }
}
