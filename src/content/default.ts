import { contentFiles } from '../../content/index.ts';
import { buildCatalog } from './catalog.ts';

/** The catalogue of the shipped content, validated once at import. */
export const catalog = buildCatalog(contentFiles);
