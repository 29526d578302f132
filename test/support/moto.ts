// The adapter tests start moto_server as the benchmarks do.
export { startMotoServer as startMoto } from '../../bench/lib/moto-server';
