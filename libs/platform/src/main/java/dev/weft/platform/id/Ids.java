package dev.weft.platform.id;

import dev.weft.platform.error.ApiException;

import java.util.UUID;

/** Path-parameter helpers: an id that does not parse is a 404, exactly like an id that does not exist. */
public final class Ids {
    private Ids() {
    }

    public static UUID require(String prefix, String id, String what) {
        return TypeId.parse(prefix, id).orElseThrow(() -> ApiException.notFound(what));
    }
}
