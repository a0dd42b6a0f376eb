/** Version of `@fr/backbones` written into model files (a test keeps it equal to package.json). */
export const VERSION = '0.1.0';
