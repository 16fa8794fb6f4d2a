// The one module that imports the contract at run time, and only lazily (see contract.ts). It
// re-exports just the route registry so bundlers can leave the rest of the contract out.
export { routes } from '@mypostshare/contract';
