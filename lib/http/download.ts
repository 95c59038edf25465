// A file download: the browser saves it under `filename` (RFC 6266: an ASCII
// fallback and the exact UTF-8 name), never caches it.
export function download(body: BodyInit, filename: string, type: string): Response {
  return new Response(body, {
    headers: {
      "content-type": type,
      "content-disposition": `attachment; filename="${filename.replace(/[^\x20-\x7e]|"/g, "_")}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
      "cache-control": "no-store",
    },
  });
}
