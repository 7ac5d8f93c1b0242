package dev.weft.connections.extension;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** A custom connector the customer runs as an HTTP service; connections use it as provider {@code ext_<key>}. */
@Entity
@Table(name = "extensions")
public class Extension extends OrgScopedEntity {
    public static final String ID_PREFIX = "ext";

    public String provider;
    public String name;
    public String description;
    @Column(name = "base_url")
    public String baseUrl;
    /** The request-signing secret, encrypted under the keyring. */
    public String secret;
    @Column(name = "config_schema")
    public String configSchema;

    public String extensionId() {
        return TypeId.format(ID_PREFIX, id);
    }

    public String associatedData() {
        return "extension:" + id;
    }
}
