package io.herald.graphql;

import graphql.ErrorClassification;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLContext;
import graphql.GraphQLError;
import graphql.execution.CoercedVariables;
import graphql.language.ArrayValue;
import graphql.language.BooleanValue;
import graphql.language.Field;
import graphql.language.FloatValue;
import graphql.language.IntValue;
import graphql.language.NullValue;
import graphql.language.ObjectValue;
import graphql.language.SourceLocation;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.language.VariableReference;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLSchema;
import graphql.schema.SelectedField;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import io.herald.ErrorCode;
import io.herald.catalog.EventCatalog;
import io.vertx.core.json.Json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The GraphQL schema of {@code /graphql} (docs/graphql.md), generated from the catalog: {@code subscription events} (live
 * events of several types, or one type with recovery and a filter), {@code query state} (a keyed-state page) and
 * {@code query types}. graphql-java parses, validates and coerces each operation; a subscription is then not executed
 * per event by graphql-java: {@link #plan} captures its arguments and selection ({@link Selection}), and the socket
 * projects each event's envelope onto that selection, once per event for every operation that selects the same fields.
 * Immutable; shared by the event loops.
 */
public final class EventSchema {
    /** Where the socket that runs an operation is found in its {@link GraphQLContext}. */
    static final String STATE_READER = "herald.state";
    static final String EVENT = "Event";
    /** The subscription's root field. */
    static final String EVENTS = "events";

    private final String sdl;
    private final GraphQL graphQL;
    private final List<String> types;

    public EventSchema(EventCatalog catalog) {
        this.types = new ArrayList<>(new java.util.TreeSet<>(catalog.types()));
        this.sdl = sdl(catalog);
        RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring()
                .scalar(scalar("JSON", "Any JSON value: an object, an array, a string, a number, a boolean or null.", new JsonCoercing()))
                .scalar(scalar("Long", "A whole number of up to 64 bits.", new LongCoercing()))
                .type("Subscription", wire -> wire.dataFetcher(EVENTS, EventSchema::captureEvents))
                .type("Query", wire -> wire.dataFetcher("types", env -> types).dataFetcher("state", EventSchema::state))
                .build();
        GraphQLSchema schema = new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl), wiring);
        this.graphQL = GraphQL.newGraphQL(schema).build();
        // graphql-java's execution loads many classes the first time: here (off the event loop), not at a client's first subscribe
        plan("subscription { events(types: [\"warm:up\"]) { id __typename } } ", null, null, body -> null);
        plan("query { types }", null, null, body -> null);
    }

    /** The schema in SDL, as generated from the catalog. */
    public String sdl() {
        return sdl;
    }

    static String sdl(EventCatalog catalog) {
        StringBuilder typeList = new StringBuilder();
        catalog.namespaces().values().stream().sorted(java.util.Comparator.comparing(EventCatalog.Namespace::name)).forEach(ns ->
                typeList.append("\n  ").append(ns.name()).append(": ").append(String.join(", ", ns.types()))
                        .append(ns.ownerField() == null ? "" : " (owner field " + ns.ownerField() + ")"));
        String stateTypes = catalog.stateTypes().isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(catalog.stateTypes().keySet()));
        return """
                "Any JSON value: an object, an array, a string, a number, a boolean or null."
                scalar JSON
                "A whole number of up to 64 bits."
                scalar Long

                "One event as Herald delivers it (the envelope of docs/protocol.md)."
                type Event {
                  "The event's unique id."
                  id: ID!
                  "Its type, one of the catalog's."
                  type: String!
                  "When it was published, in ms since the epoch."
                  ts: Long!
                  "Its place in its type's stream: rises by one per event of the type across the cluster."
                  seq: Long!
                  "The stream's epoch: seq compare only within one epoch."
                  epoch: String
                  "What the publisher sent."
                  data: JSON
                  "The user that published it from a browser, stamped by the hub."
                  userId: String
                  "The publisher's store, stamped by the hub."
                  storeId: String
                  "True on a keyed-state delete (docs/state.md)."
                  delete: Boolean
                }

                "A page of a type's keyed state (docs/state.md)."
                type StatePage {
                  type: String!
                  "The field of data that keys the entries."
                  key: String
                  "The latest event of each key the connection may read."
                  entries: [Event!]!
                  "The stream's position the page is consistent with: subscribe with since from it."
                  seq: Long
                  epoch: String
                  "Give it back as next for the following page."
                  next: String
                  more: Boolean
                }

                type Query {
                  "The event types of the catalog."
                  types: [String!]!
                  "A page of the keyed state of a type that keeps state (%s): what the role, ownership and the filter let through."
                  state(type: String!, limit: Int, next: String, filter: JSON): StatePage
                }

                \"""
                Event types of the catalog, by namespace:%s
                \"""
                type Subscription {
                  \"""
                  Events as they happen, in seq order per type. Either types (live events of several types) or type (one
                  type, with since and epoch to recover what was missed after that seq, from history). filter narrows what
                  the role allows (docs/filters.md): a JSON object or a string of JSON.
                  \"""
                  events(types: [String!], type: String, since: String, epoch: String, filter: JSON): Event!
                }
                """.formatted(stateTypes, typeList);
    }

    private static GraphQLScalarType scalar(String name, String description, Coercing<?, ?> coercing) {
        return GraphQLScalarType.newScalar().name(name).description(description).coercing(coercing).build();
    }

    // ---- operations

    /** What a {@code subscribe} message asks for. */
    sealed interface Plan permits Events, Result, Pending {
    }

    /**
     * A subscription to events: the types, the recovery of the one-type form, the filter as the bridge's header text (or
     * null), and the fields to send.
     */
    record Events(List<String> types, String since, String epoch, String filter, Selection selection) implements Plan {
        /** Whether it may share a type's bridge subscription with another operation: no recovery, no filter. */
        boolean plain() {
            return since == null && filter == null;
        }
    }

    /** A query answered at once, or refused: the execution result to send (then {@code complete}, unless it has no data). */
    record Result(Map<String, Object> payload, boolean failed) implements Plan {
    }

    /** A query that waits for the node (a state page): the result to send when it completes. */
    record Pending(CompletableFuture<ExecutionResult> result) implements Plan {
    }

    /**
     * Parses, validates and coerces one operation; {@code state} runs a state read (the socket's, through the bridge).
     * Never throws for the client's input: a bad operation is a {@link Result} with errors.
     */
    Plan plan(String query, String operationName, Map<String, Object> variables,
              Function<Map<String, Object>, CompletableFuture<Object>> stateReader) {
        ExecutionInput input = ExecutionInput.newExecutionInput().query(query == null ? "" : query).operationName(operationName)
                .variables(variables == null ? Map.of() : variables).graphQLContext(Map.of(STATE_READER, stateReader)).build();
        GraphQLContext context = input.getGraphQLContext();
        CompletableFuture<ExecutionResult> execution;
        try {
            execution = graphQL.executeAsync(input);
        } catch (RuntimeException e) {
            return refused(ErrorCode.INVALID_FRAME, "the operation could not be run: " + e.getMessage());
        }
        Events events = context.get(Events.class);
        if (events != null && !(execution.isDone() && !execution.join().getErrors().isEmpty())) {
            return events;
        }
        if (!execution.isDone()) {
            return new Pending(execution);
        }
        ExecutionResult result = execution.join();
        return new Result(result.toSpecification(), !result.getErrors().isEmpty() && result.getData() == null);
    }

    /** A refusal as an execution result: one error with the vocabulary's code in its extensions. */
    static Result refused(ErrorCode code, String message) {
        return new Result(Map.of("errors", List.of(error(code.id(), message))), true);
    }

    /** One GraphQL error (as the spec writes it) with Herald's code (and its HTTP-like status) in {@code extensions}. */
    static Map<String, Object> error(String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        ErrorCode known = ErrorCode.fromId(code);
        Map<String, Object> extensions = new LinkedHashMap<>();
        extensions.put("code", code);
        if (known != null) {
            extensions.put("status", known.status());
        }
        error.put("extensions", extensions);
        return error;
    }

    private static Object captureEvents(DataFetchingEnvironment env) {
        Map<String, Object> args = env.getArguments();
        @SuppressWarnings("unchecked")
        List<String> many = (List<String>) args.get("types");
        String one = (String) args.get("type");
        String since = (String) args.get("since");
        String epoch = (String) args.get("epoch");
        if ((many == null) == (one == null)) {
            throw new Refusal(ErrorCode.INVALID_PARAMETER, "events needs either types (several types) or type (one type)");
        }
        if (many != null && many.isEmpty()) {
            throw new Refusal(ErrorCode.INVALID_PARAMETER, "events needs at least one type in types");
        }
        if (one == null && (since != null || epoch != null)) {
            throw new Refusal(ErrorCode.INVALID_PARAMETER, "since and epoch go with type (one type): seq are per type");
        }
        if (since == null && epoch != null) {
            throw new Refusal(ErrorCode.INVALID_PARAMETER, "epoch goes with since");
        }
        Object filter = args.get("filter");
        String filterText = filter == null ? null : filter instanceof String text ? (text.isBlank() ? null : text) : Json.encode(filter);
        List<String> types = one != null ? List.of(one) : List.copyOf(new LinkedHashSet<>(many));
        env.getGraphQlContext().put(Events.class, new Events(types, since, epoch, filterText, selection(env)));
        return (org.reactivestreams.Publisher<Object>) subscriber -> { }; // never subscribed: the socket delivers
    }

    /** The event fields the operation selects, by response key (aliases, fragments, skip and include resolved). */
    private static Selection selection(DataFetchingEnvironment env) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (SelectedField field : env.getSelectionSet().getImmediateFields()) {
            fields.putIfAbsent(field.getResultKey(), field.getName());
        }
        // __typename is no field of the selection set as graphql-java lists it: read from the query's own text
        Field root = env.getField();
        if (root.getSelectionSet() != null) {
            root.getSelectionSet().getSelectionsOfType(Field.class).stream().filter(f -> "__typename".equals(f.getName()))
                    .forEach(f -> fields.putIfAbsent(f.getResultKey(), "__typename"));
        }
        return new Selection(env.getMergedField().getResultKey(), List.copyOf(fields.entrySet().stream()
                .map(e -> new Selection.Field(e.getKey(), e.getValue())).toList()));
    }

    @SuppressWarnings("unchecked")
    private static Object state(DataFetchingEnvironment env) {
        Function<Map<String, Object>, CompletableFuture<Object>> reader = env.getGraphQlContext().get(STATE_READER);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", env.getArgument("type"));
        if (env.getArgument("limit") != null) {
            body.put("limit", env.getArgument("limit"));
        }
        if (env.getArgument("next") != null) {
            body.put("next", env.getArgument("next"));
        }
        Object filter = env.getArgument("filter");
        if (filter instanceof String text && !text.isBlank()) {
            try {
                filter = Json.decodeValue(text);
            } catch (RuntimeException e) {
                throw new Refusal(ErrorCode.INVALID_FILTER, "filter: not JSON");
            }
        }
        if (filter != null && !(filter instanceof String)) {
            body.put("filter", filter);
        }
        return reader.apply(body);
    }

    /** A refusal of an argument or of the node, as a GraphQL error with the vocabulary's code. */
    static final class Refusal extends RuntimeException implements GraphQLError {
        private final String code;

        Refusal(ErrorCode code, String message) {
            this(code.id(), message);
        }

        Refusal(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        @Override
        public List<SourceLocation> getLocations() {
            return null;
        }

        @Override
        public ErrorClassification getErrorType() {
            return graphql.ErrorType.DataFetchingException;
        }

        @Override
        public Map<String, Object> getExtensions() {
            ErrorCode known = ErrorCode.fromId(code);
            return known == null ? Map.of("code", code) : Map.of("code", code, "status", known.status());
        }
    }

    // ---- scalars

    /** Any JSON value, given back as it came (maps, lists, strings, numbers, booleans). */
    static final class JsonCoercing implements Coercing<Object, Object> {
        @Override
        public Object serialize(Object value, GraphQLContext context, Locale locale) {
            return value instanceof io.vertx.core.json.JsonObject o ? o.getMap()
                    : value instanceof io.vertx.core.json.JsonArray a ? a.getList() : value;
        }

        @Override
        public Object parseValue(Object input, GraphQLContext context, Locale locale) {
            return input;
        }

        @Override
        public Object parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
            return literal(input, variables);
        }

        private static Object literal(Value<?> value, CoercedVariables variables) {
            if (value instanceof StringValue s) {
                return s.getValue();
            } else if (value instanceof IntValue i) {
                BigInteger n = i.getValue();
                return n.bitLength() < 64 ? (Object) n.longValue() : n;
            } else if (value instanceof FloatValue f) {
                return f.getValue().doubleValue();
            } else if (value instanceof BooleanValue b) {
                return b.isValue();
            } else if (value instanceof NullValue) {
                return null;
            } else if (value instanceof ArrayValue a) {
                List<Object> list = new ArrayList<>();
                a.getValues().forEach(v -> list.add(literal(v, variables)));
                return list;
            } else if (value instanceof ObjectValue o) {
                Map<String, Object> map = new LinkedHashMap<>();
                o.getObjectFields().forEach(f -> map.put(f.getName(), literal(f.getValue(), variables)));
                return map;
            } else if (value instanceof VariableReference v) {
                return variables.get(v.getName());
            }
            return null;
        }
    }

    /** A 64-bit whole number (ts, seq): GraphQL's Int has 32. */
    static final class LongCoercing implements Coercing<Long, Long> {
        @Override
        public Long serialize(Object value, GraphQLContext context, Locale locale) {
            if (value instanceof Number n) {
                return n.longValue();
            }
            try {
                return Long.parseLong(String.valueOf(value));
            } catch (NumberFormatException e) {
                throw new CoercingSerializeException("not a whole number: " + value);
            }
        }

        @Override
        public Long parseValue(Object input, GraphQLContext context, Locale locale) {
            if (input instanceof Number n && new BigDecimal(n.toString()).stripTrailingZeros().scale() <= 0) {
                return n.longValue();
            }
            throw new CoercingParseValueException("not a whole number: " + input);
        }

        @Override
        public Long parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
            if (input instanceof IntValue i && i.getValue().bitLength() < 64) {
                return i.getValue().longValue();
            }
            throw new graphql.schema.CoercingParseLiteralException("not a 64-bit whole number");
        }
    }

    /** The types of the catalog, sorted. */
    List<String> types() {
        return types;
    }

    static Set<String> eventFields() {
        return Set.of("id", "type", "ts", "seq", "epoch", "data", "userId", "storeId", "delete");
    }
}
