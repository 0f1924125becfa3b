/** Campaign opens/clicks (crm.campaigns): the same engagement handler, its own function and rule. */
export { handler } from './on-engagement.js'
