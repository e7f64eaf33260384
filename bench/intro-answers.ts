/** The answers that take synthetic client `i` through the intro after its access code (the areas rotate). */
export const introAnswers = (i: number): { value?: string; text?: string }[] => [
  { value: 'yes' },
  { value: ['depression', 'anxiety', 'sleep', 'stress', 'unsure'][i % 5]! },
  { value: 'some' },
  { value: 'no' },
  { value: 'yes' },
  { value: 'yes' },
  { text: `Mål ${i}` },
  { text: '18:30' },
];
