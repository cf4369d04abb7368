export * from './model.js';
export * from './static-config.js';
export * from './dynamic-config.js';
