// Sets the colour scheme on <html> before the first paint, so a page chosen dark never flashes light. It is a
// file, not inline, because the CSP allows no inline script; it is loaded blocking in <head> for the same reason
// the app's module (deferred) would be too late. web/src/app/theme.ts holds the same rule and keeps it up to date.
(function () {
  var choice = null;
  try {
    choice = localStorage.getItem('dropline:theme');
  } catch (error) {
    // Storage blocked for this site: follow the system.
  }
  var dark = choice === 'dark' || (choice !== 'light' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.setAttribute('data-theme', dark ? 'dark' : 'light');
})();
