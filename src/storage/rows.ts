type RowLike = Record<string, unknown>;

export const str = (row: RowLike, column: string): string => String(row[column]);
export const optStr = (row: RowLike, column: string): string | undefined =>
  row[column] === null || row[column] === undefined ? undefined : String(row[column]);
export const num = (row: RowLike, column: string): number => Number(row[column]);
