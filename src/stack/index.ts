/**
 * What other features may use of the stack: a stack is started and stopped through the CLI
 * (`headway up --detach` / `headway down`), so this is only how to place one on free ports and
 * read back what it recorded in its stack.json. Everything else in stack/ is the stack's own.
 */
export { freeStackPorts, STACK_PORT_VARS, type StackPorts } from './ports.js';
export {
  readStackRecord,
  stateLayout,
  type ServiceName,
  type ServiceRecord,
  type StackRecord,
} from './state.js';
