package dev.weft.sync.transform;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** A custom transform of an org (seed 000 "Custom Transforms"): JSONata or JavaScript code applied to each record. */
@Entity
@Table(name = "transforms")
public class Transform extends OrgScopedEntity {
    public static final String ID_PREFIX = "tfm";

    public String name;
    /** {@code jsonata} or {@code javascript}. */
    public String type;
    public String code;
    public String description;

    public String transformId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
