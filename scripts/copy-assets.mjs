// tsc compiles only .ts: the Lua scripts the job record loads at run time go beside the output.
import { cpSync } from 'node:fs';

cpSync('src/jobs/lua', 'dist/jobs/lua', { recursive: true });
