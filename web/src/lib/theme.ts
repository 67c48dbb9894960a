/**
 * Light or dark dashboard (issue 12). The choice — System, Light or Dark — is kept in this
 * browser's localStorage; "System" follows prefers-color-scheme and changes with it. The resolved
 * theme lands on <html data-theme>, where styles.css swaps its colour variables.
 */
import { useEffect, useState } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_CHOICES: Array<[ThemeChoice, string]> = [
  ['system', 'System'],
  ['light', 'Light'],
  ['dark', 'Dark'],
];
export const THEME_STORAGE_KEY = 'switchboard.theme';

const DARK_QUERY = '(prefers-color-scheme: dark)';

export function readThemeChoice(): ThemeChoice {
  try {
    const stored = localStorage.getItem(THEME_STORAGE_KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system'; // storage disabled: follow the system
  }
}

export function resolveTheme(choice: ThemeChoice, systemDark: boolean): 'light' | 'dark' {
  return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}

export function applyTheme(choice: ThemeChoice = readThemeChoice()): void {
  const systemDark = typeof matchMedia === 'function' && matchMedia(DARK_QUERY).matches;
  const root = document.documentElement;
  root.dataset.theme = resolveTheme(choice, systemDark);
  root.dataset.themeChoice = choice;
}

/** Applies the stored choice now and again whenever the system setting changes. */
export function startTheme(): void {
  applyTheme();
  if (typeof matchMedia === 'function') matchMedia(DARK_QUERY).addEventListener('change', () => applyTheme());
}

export function useThemeChoice(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(readThemeChoice);
  useEffect(() => applyTheme(choice), [choice]);
  const choose = (next: ThemeChoice) => {
    try {
      if (next === 'system') localStorage.removeItem(THEME_STORAGE_KEY);
      else localStorage.setItem(THEME_STORAGE_KEY, next);
    } catch {
      // not remembered, but still applied to this page
    }
    setChoice(next);
  };
  return [choice, choose];
}
