package dev.weft.messaging.entity;

import dev.weft.platform.error.ApiException;

/**
 * The {@code ?entity_type=&entity_id=} filter of list endpoints (contacts, conversations): both or neither; the same
 * rules as {@link EntityRef#of}, so {@code 42} finds what was linked with the number 42.
 */
public final class EntityLinks {
    private EntityLinks() {
    }

    /** The entity to filter on, or null when neither parameter is given. */
    public static EntityRef filter(String entityType, String entityId) {
        boolean hasType = entityType != null && !entityType.isBlank();
        boolean hasId = entityId != null && !entityId.isBlank();
        if (!hasType && !hasId) {
            return null;
        }
        if (hasType != hasId) {
            throw ApiException.invalid(hasType ? "entity_id" : "entity_type", "required", "entity_type and entity_id filter together");
        }
        return EntityRef.of(entityType, entityId);
    }
}
