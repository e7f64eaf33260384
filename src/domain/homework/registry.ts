import type { z } from 'zod';

/** A kind of homework entry: its id (e.g. `depression.activity_diary`) and the schema entries must fit. */
export interface HomeworkType {
  id: string;
  schema: z.ZodType<Record<string, unknown>>;
}

export function homeworkRegistry(types: HomeworkType[]): Map<string, HomeworkType> {
  const map = new Map<string, HomeworkType>();
  for (const type of types) {
    if (map.has(type.id)) throw new Error(`Homework type ${type.id} registered twice`);
    map.set(type.id, type);
  }
  return map;
}
