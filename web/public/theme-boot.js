// Sets the light/dark theme before the first paint, so a dark-mode reader sees no white flash.
// The dashboard (web/src/lib/theme.ts) takes over once it loads; keep the key and values in step.
(function () {
  var choice = 'system';
  try {
    var stored = localStorage.getItem('switchboard.theme');
    if (stored === 'light' || stored === 'dark') choice = stored;
  } catch (e) {}
  var dark = choice === 'dark' || (choice === 'system' && window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.setAttribute('data-theme', dark ? 'dark' : 'light');
  document.documentElement.setAttribute('data-theme-choice', choice);
})();
