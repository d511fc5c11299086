/** The sources under conformance test: a fifth source is one more file in sources/ and one more entry here. */
import type { ConformanceSource } from './source.js';
import { jira } from './sources/jira.js';
import { servicenow } from './sources/servicenow.js';
import { github } from './sources/github.js';
import { gitlab } from './sources/gitlab.js';

export const SOURCES: readonly ConformanceSource[] = [jira, servicenow, github, gitlab];
