/**
 * Label colours (issue 12): a fixed palette whose every colour carries white text at a contrast
 * of at least 4.5:1 (WCAG AA), or any #rrggbb, whose text is then black or white, whichever
 * contrasts more. Shared by the server (validation) and the dashboard (chips and the picker).
 */
export const LABEL_PALETTE = {
  gray: '#475569',
  red: '#b91c1c',
  orange: '#c2410c',
  amber: '#a16207',
  green: '#15803d',
  teal: '#0f766e',
  blue: '#1d4ed8',
  indigo: '#4338ca',
  purple: '#7e22ce',
  pink: '#be185d',
} as const;

export type PaletteName = keyof typeof LABEL_PALETTE;
export const DEFAULT_LABEL_COLOR = LABEL_PALETTE.gray;

const HEX = /^#[0-9a-f]{6}$/;

/** A palette name or #rrggbb → lower-case #rrggbb; null when it is neither. */
export function parseLabelColor(input: string): string | null {
  const value = input.trim().toLowerCase();
  if (value in LABEL_PALETTE) return LABEL_PALETTE[value as PaletteName];
  return HEX.test(value) ? value : null;
}

function luminance(hex: string): number {
  const channel = (at: number) => {
    const c = parseInt(hex.slice(at, at + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG contrast ratio of two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Black or white, whichever reads better on this background. */
export function labelTextColor(background: string): '#ffffff' | '#000000' {
  const hex = HEX.test(background) ? background : DEFAULT_LABEL_COLOR;
  return contrastRatio(hex, '#ffffff') >= contrastRatio(hex, '#000000') ? '#ffffff' : '#000000';
}
