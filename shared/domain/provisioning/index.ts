export * from './desired-state';
export * from './script-encoding';
