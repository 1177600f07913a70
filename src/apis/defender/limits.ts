/** The most incidents one `GET /api/incidents` returns (`$top` above it is a 400). */
export const LEGACY_MAX_PAGE_SIZE = 100;
