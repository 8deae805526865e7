/**
 * The training worker: owns tfjs, the model and the loop, so the page stays responsive. A thin entry point: the
 * trainer itself is src/lab/trainer.ts, exposed here over Comlink. Callbacks the page passes (run messages,
 * checkpoint progress) arrive as Comlink proxies.
 */
import * as Comlink from 'comlink';
import { TrainerService } from '../lab/trainer';

Comlink.expose(new TrainerService());
