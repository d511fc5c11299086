// tsc compiles only .ts: the Lua scripts the job record and the shared rate budget load at run time go beside the output.
import { cpSync } from 'node:fs';

cpSync('src/jobs/lua', 'dist/jobs/lua', { recursive: true });
cpSync('src/outbound/lua', 'dist/outbound/lua', { recursive: true });
