// Where the rebuild searches for an entity. Kept in one place: it follows what Jaeger's attribute
// search can match (see README "Searching entities in Jaeger").

/** The span attribute an entity search matches. */
export const ENTITY_SEARCH_ATTRIBUTE = 'stepmark.entity.id';
