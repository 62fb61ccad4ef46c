export * from './messages.ts';
export * from './parse.ts';
export * from './close-codes.ts';
export * from './version.ts';
