export { startReceiver, PUSH_PATH, DEFAULT_DEADLINE_MS, type Receiver, type ReceiverOptions } from './server';
export { mediatorConfig, registerMediator, MEDIATOR_URN, type MediatorConfig } from './openhim';
export { OpenhimApi, tokenHeaders, type OpenhimAuth, type OpenhimApiOptions } from './openhim-api';
export { jsonLogger, silentLogger, type Logger } from './log';
export { MAX_ENTRIES } from './payload';
export { DEFAULT_BODY_LIMIT } from './body';
