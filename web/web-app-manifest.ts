import type { ManifestOptions } from 'vite-plugin-pwa';
import { SHARE_TARGET_PATH } from './src/share/shared-arrival.ts';

/**
 * The web app manifest (docs/architecture.md, "Offline and install"). The artwork is in public/icons/ with its
 * SVG sources, and public/screenshots/; both are made by tests/tools/pwa-art.ts.
 */
export const webAppManifest: Partial<ManifestOptions> = {
  id: '/',
  name: 'Dropline',
  short_name: 'Dropline',
  description: 'Send files straight from your browser to another device. No upload, no account.',
  // The installed app opens into the send view.
  start_url: '/',
  scope: '/',
  display: 'standalone',
  theme_color: '#4f46e5',
  background_color: '#f4f6fb',
  icons: [
    { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  ],
  screenshots: [
    { src: '/screenshots/send-wide.png', sizes: '1280x800', type: 'image/png', form_factor: 'wide', label: 'Pick files and get a link to send them' },
    { src: '/screenshots/send-narrow.png', sizes: '390x844', type: 'image/png', form_factor: 'narrow', label: 'Pick files and get a link to send them' },
  ],
  // Any files, with the title, text and link that came with them, from the system share sheet.
  share_target: {
    action: SHARE_TARGET_PATH,
    method: 'POST',
    enctype: 'multipart/form-data',
    params: { title: 'title', text: 'text', url: 'url', files: [{ name: 'files', accept: ['*/*'] }] },
  },
  // "Open with Dropline" from the file manager: the send view takes the files from window.launchQueue.
  file_handlers: [
    {
      action: '/',
      accept: {
        'application/octet-stream': ['.bin'],
        'application/pdf': ['.pdf'],
        'application/zip': ['.zip'],
        'image/*': ['.png', '.jpg', '.jpeg', '.gif', '.webp', '.heic'],
        'video/*': ['.mp4', '.mov', '.webm'],
        'audio/*': ['.mp3', '.m4a', '.ogg', '.wav'],
        'text/*': ['.txt', '.md', '.csv'],
      },
    },
  ],
  // A second launch (a share, an opened file) reuses the open window instead of stacking new ones.
  launch_handler: { client_mode: 'navigate-existing' },
};
