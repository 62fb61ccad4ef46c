// The parts of the File System Access API (WICG) the app uses that TypeScript's DOM library does not declare yet.
// Chromium offers them; elsewhere they are missing, and the app checks before each use.
interface FileSystemHandlePermissionDescriptor {
  mode?: 'read' | 'readwrite';
}

interface FileSystemHandle {
  queryPermission?(descriptor?: FileSystemHandlePermissionDescriptor): Promise<PermissionState>;
  requestPermission?(descriptor?: FileSystemHandlePermissionDescriptor): Promise<PermissionState>;
}

interface DataTransferItem {
  getAsFileSystemHandle?(): Promise<FileSystemHandle | null>;
}

interface Window {
  showOpenFilePicker?(options?: { multiple?: boolean }): Promise<FileSystemFileHandle[]>;
  showDirectoryPicker?(options?: { mode?: 'read' | 'readwrite' }): Promise<FileSystemDirectoryHandle>;
}

// File Handling (WICG): an installed app that the manifest's file_handlers named is opened with files this way.
interface LaunchParams {
  readonly files: readonly FileSystemHandle[];
}

interface LaunchQueue {
  setConsumer(consumer: (params: LaunchParams) => void): void;
}

interface Window {
  launchQueue?: LaunchQueue;
}

interface FileSystemDirectoryHandle {
  // In TypeScript's DOM.AsyncIterable library, which this project does not load for the rest of the DOM.
  entries(): AsyncIterableIterator<[string, FileSystemHandle]>;
}
