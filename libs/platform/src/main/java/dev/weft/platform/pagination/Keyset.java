package dev.weft.platform.pagination;

import dev.weft.platform.tenancy.WeftEntity;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.persistence.TypedQuery;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The list query behind every list endpoint: newest first on {@code (createdAt, id)}, so rows
 * inserted while a client pages never shift the pages it has not read yet; the row after the page
 * only says whether there is more. Filters are JPQL conditions with named parameters; Hibernate's
 * tenant discriminator adds the org.
 */
public final class Keyset<E extends WeftEntity> {
    private final Class<E> entity;
    private final StringBuilder where = new StringBuilder();
    private final Map<String, Object> parameters = new LinkedHashMap<>();

    private Keyset(Class<E> entity) {
        this.entity = entity;
    }

    /** A list of {@code entity} rows. */
    public static <E extends WeftEntity> Keyset<E> of(Class<E> entity) {
        return new Keyset<>(entity);
    }

    /** Adds {@code condition} (JPQL on the entity's fields, e.g. {@code "status = :status"}) with its parameter. */
    public Keyset<E> where(String condition, String parameter, Object value) {
        where.append(" and (").append(condition).append(')');
        parameters.put(parameter, value);
        return this;
    }

    /** Adds the condition only when {@code value} is given (an optional query filter). */
    public Keyset<E> whereIfPresent(String condition, String parameter, Object value) {
        return value == null || value instanceof String text && text.isBlank() ? this : where(condition, parameter, value);
    }

    /** The page {@code request} asks for, each row shown as {@code view}. */
    public <T> Page<T> page(PageRequest request, Function<E, T> view, CursorCodec codec) {
        return Page.of(rows(request), request, WeftEntity::position, view, codec);
    }

    /** The rows of the page and the one after it (for views that need the whole page at once; then {@link Page#of}). */
    public List<E> rows(PageRequest request) {
        StringBuilder jpql = new StringBuilder("from ").append(entity.getSimpleName()).append(" where 1 = 1").append(where);
        request.after().ifPresent(cursor -> jpql.append(" and (createdAt < :kCreatedAt or (createdAt = :kCreatedAt and id < :kId))"));
        jpql.append(" order by createdAt desc, id desc");
        TypedQuery<E> query = Panache.getEntityManager(entity).createQuery(jpql.toString(), entity);
        parameters.forEach(query::setParameter);
        request.after().ifPresent(cursor -> query.setParameter("kCreatedAt", cursor.createdAt()).setParameter("kId", cursor.id()));
        return query.setMaxResults(request.limit() + 1).getResultList();
    }
}
