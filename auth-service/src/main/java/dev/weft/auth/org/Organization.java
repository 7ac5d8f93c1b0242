package dev.weft.auth.org;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.WeftEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import jakarta.persistence.Convert;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;


/** A tenant. Not an {@code OrgScopedEntity}: organizations are what every other row is scoped to. */
@Entity
@Table(name = "organizations")
public class Organization extends WeftEntity {
    public static final String ID_PREFIX = "org";

    @Column(nullable = false)
    public String name;

    @Convert(converter = PlanColumn.class)
    @Column(nullable = false)
    public Plan plan;

    public String publicId() {
        return TypeId.format(ID_PREFIX, id);
    }

    /** Plans are stored by their API name, matching the table's CHECK constraint. */
    @Converter
    public static class PlanColumn implements AttributeConverter<Plan, String> {
        @Override
        public String convertToDatabaseColumn(Plan plan) {
            return plan == null ? null : plan.wireName();
        }

        @Override
        public Plan convertToEntityAttribute(String value) {
            return value == null ? null : Plan.fromWire(value);
        }
    }
}
