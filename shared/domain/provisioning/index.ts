export * from './desired-state';
export * from './script-encoding';
export * from './script-result';
export * from './status';
