// Where an entity search looks. Jaeger's search matches an attribute's whole text on a span, its
// resource or one of its events; an element of an array attribute (`stepmark.entity.ids`) is not
// matched. Every decision event carries its entity as the plain string `stepmark.entity.id`, so
// searching that finds every trace in which the entity was touched.

/** The attribute an entity search matches. */
export const ENTITY_SEARCH_ATTRIBUTE = 'stepmark.entity.id';
