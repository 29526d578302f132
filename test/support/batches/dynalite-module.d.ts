declare module 'dynalite' {
  interface DynaliteOptions {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    path?: string;
  }

  const dynalite: (options?: DynaliteOptions) => import('node:http').Server;
  export default dynalite;
}
