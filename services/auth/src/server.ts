import { runService } from '@flux/server-kit';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

await runService(loadConfig, buildApp);
