// The Bus contract against the in-process bus (the embedded default).
import { MemoryBus } from '../../src/bus/memory.js';
import { describeBusContract } from './bus.contract.js';

describeBusContract('memory', async () => new MemoryBus());
