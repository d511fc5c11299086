#!/usr/bin/env node
// Runs the compiled service; `npm run build` (or `npm start`) produces dist/.
import('../dist/cli/main.js');
