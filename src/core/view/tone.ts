/** Semantic colour roles; themes map them to colours, views never name a colour. */
export type Tone = 'normal' | 'healthy' | 'warning' | 'critical' | 'dim' | 'leader' | 'accent';
