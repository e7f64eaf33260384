/**
 * Illustrations are SVG files under content/illustrations/<course>/<name>.svg, named in flows as
 * `<course>/<name>`. Their alt text is a content key, so it exists in every locale.
 */
export const ILLUSTRATION_NAME = /^[a-z0-9-]+\/[a-z0-9-]+$/;

/** The alt-text key of an illustration: `sleep/sleep-window` -> `img.sleep.sleep_window`. */
export const imageAltKey = (image: string) => `img.${image.replace(/\//g, '.').replace(/-/g, '_')}`;

/** Where the web serves it. */
export const illustrationPath = (image: string) => `/illustrations/${image}.svg`;

/** Looks up an illustration's SVG text by name; each runtime fills it its own way. */
export type IllustrationSource = (name: string) => string | undefined;
