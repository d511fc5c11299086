import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addFieldMapFlag, readFieldMap } from '../../src/cli/field-map-flag.js';

const parsed = (args: string[]): Command => {
  const cmd = new Command('import').exitOverride();
  addFieldMapFlag(cmd);
  return cmd.parse(args, { from: 'user' });
};

describe('--map', () => {
  it('collects repeated field=ref pairs into options.field_map, names with spaces included', () => {
    expect(readFieldMap(parsed(['--map', 'story_points=Story Points', '--map', 'sprint=customfield_10020']))).toEqual({
      story_points: 'Story Points', sprint: 'customfield_10020',
    });
    expect(readFieldMap(parsed([]))).toBeUndefined();
  });

  it('refuses an unknown field or a missing reference with a usage error naming the fields', () => {
    expect(() => readFieldMap(parsed(['--map', 'points=Story Points']))).toThrow(/story_points, due_date, sprint, severity/);
    expect(() => readFieldMap(parsed(['--map', 'sprint=']))).toThrow(/--map takes/);
    expect(() => readFieldMap(parsed(['--map', 'sprint']))).toThrow(/--map takes/);
  });
});
