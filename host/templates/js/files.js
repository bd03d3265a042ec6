// Files in the sandbox's directories (/in, /out, the temp directory), through WASI's
// file system: JavaScript in a component has no `fs` module.
import { getDirectories } from 'wasi:filesystem/preopens@__WASI__';

// WASI writes at most 4096 bytes per blocking call.
const WRITE_CHUNK = 4096;
const READ_CHUNK = 1n << 20n;

// The directory descriptor a path is under, and the path relative to it.
function locate(path) {
  for (const [dir, name] of getDirectories()) {
    const root = name.endsWith('/') ? name : `${name}/`;
    if (path.startsWith(root)) return [dir, path.slice(root.length)];
  }
  throw new Error(`${path} is in no directory the sandbox gives this plugin`);
}

export function size(path) {
  const [dir, rel] = locate(path);
  return Number(dir.statAt({ symlinkFollow: false }, rel).size);
}

export function readBytes(path) {
  const [dir, rel] = locate(path);
  const file = dir.openAt({ symlinkFollow: false }, rel, {}, { read: true });
  const chunks = [];
  let length = 0;
  for (let offset = 0n; ; ) {
    const [chunk, end] = file.read(READ_CHUNK, offset);
    chunks.push(chunk);
    length += chunk.length;
    offset += BigInt(chunk.length);
    if (end || chunk.length === 0) break;
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

export function writeBytes(path, bytes) {
  const [dir, rel] = locate(path);
  const file = dir.openAt({ symlinkFollow: false }, rel, { create: true, truncate: true }, { write: true });
  const stream = file.writeViaStream(0n);
  for (let at = 0; at < bytes.length; at += WRITE_CHUNK) {
    stream.blockingWriteAndFlush(bytes.subarray(at, at + WRITE_CHUNK));
  }
}

export function writeText(path, text) {
  writeBytes(path, new TextEncoder().encode(text));
}

// Creates the directories of `path` below its sandbox directory.
export function makeParents(path) {
  const [dir, rel] = locate(path);
  const parts = rel.split('/').slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    try {
      dir.createDirectoryAt(parts.slice(0, i).join('/'));
    } catch (e) {
      if (e?.payload !== 'exist') throw e;
    }
  }
}
