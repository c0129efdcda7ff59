// The leak check: whether values found outside telvault are credentials it stores.
export {
  createLeakCheckService,
  LEAK_CHECK_LIMIT,
  LEAK_CHECK_MAX_CANDIDATES,
  LEAK_CHECK_MAX_LENGTH,
  leakCheckInput,
  leakCheckView,
  type LeakCheckInput,
  type LeakCheckService,
  type LeakCheckView,
} from './leak-check-service.js';
