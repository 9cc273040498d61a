package dev.rota.queue.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.platform.Page;
import dev.rota.queue.internal.application.TaskQueries;
import dev.rota.queue.internal.application.TaskService;
import dev.rota.queue.internal.persistence.TaskQueryRepository.Filter;
import dev.rota.queue.internal.persistence.TaskRepository.Mount;
import dev.rota.queue.internal.persistence.TaskRepository.Submission;
import dev.rota.queue.internal.persistence.TaskRow;
import dev.rota.queue.internal.rest.QueueWire.ExplainView;
import dev.rota.queue.internal.rest.TaskWire.Container;
import dev.rota.queue.internal.rest.TaskWire.EventView;
import dev.rota.queue.internal.rest.TaskWire.SubmitTask;
import dev.rota.queue.internal.rest.TaskWire.TaskView;
import dev.rota.queue.internal.rest.TaskWire.VolumeMount;
import dev.rota.storage.TaskVolumes;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** GPU tasks: submitted into a project, admitted by the queue, cancelled by their owners. */
@Path("tasks")
@RequestScoped
@Tag(name = "Queue")
@Produces(MediaType.APPLICATION_JSON)
public class TaskResource {

  @Inject TaskService tasks;
  @Inject TaskQueries queries;
  @Inject Caller caller;
  @Context UriInfo uri;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "submitTask",
      summary =
          "Submit a task into a project or subproject (members); a repeated Idempotency-Key"
              + " returns the task it made the first time",
      description =
          "The task asks for replicas x gpusPerReplica GPUs of one pool, placed together (a gang),"
              + " and waits pending until the queue admits it in priority order within the"
              + " project's quota and the pool's calendar. Members of the node may submit. Volumes"
              + " it mounts must be attached at its node.")
  @APIResponse(
      responseCode = "201",
      description = "The task, pending; Location names it",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = TaskView.class),
              examples = @ExampleObject(name = "pending", value = TaskWire.VIEW_EXAMPLE)))
  @Extension(name = "x-rota-problems", value = "403 404 422")
  @Extension(name = "x-rota-problem-403", value = "Your role at the node is below member")
  @Extension(name = "x-rota-problem-404", value = "No node with this id that you can see")
  @Extension(
      name = "x-rota-problem-422",
      value =
          "The task cannot run as asked: unknown pool or PriorityClass, a gang larger than the"
              + " pool, or a volume not attached at its node")
  public Response submit(
      @Parameter(
              description =
                  "Any text; a repeat with the same key returns the task the first request made")
          @HeaderParam("Idempotency-Key")
          @Size(min = 1, max = 255)
          String idempotencyKey,
      @RequestBody(
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = SubmitTask.class),
                      examples =
                          @ExampleObject(
                              name = "training",
                              summary = "Two replicas of four GPUs with a dataset mounted",
                              value = TaskWire.SUBMIT_EXAMPLE)))
          @Valid
          @NotNull
          SubmitTask request) {
    TaskRow task = tasks.submit(caller, submission(request, caller.name(), idempotencyKey));
    return Response.created(uri.getAbsolutePathBuilder().path(String.valueOf(task.id())).build())
        .entity(TaskView.of(task))
        .build();
  }

  @GET
  @Path("{id}")
  @Operation(
      operationId = "getTask",
      summary = "Get a task (viewers of its node)",
      description = "The task's state, attempt, priority and, while pending, why it waits.")
  @APIResponse(responseCode = "200", description = "The task")
  @Extension(name = "x-rota-problems", value = "404")
  public TaskView get(@PathParam("id") @Min(1) @Max(Long.MAX_VALUE) long id) {
    return TaskView.of(tasks.get(caller, id));
  }

  @GET
  @Operation(
      operationId = "listTasks",
      summary = "The tasks of every node you can see, newest first",
      description =
          "nodeId narrows to that node's subtree (404 if you cannot see it); pool, state and"
              + " priorityClass narrow further.")
  @APIResponse(responseCode = "200", description = "One page of tasks, newest first")
  @Extension(name = "x-rota-problems", value = "404")
  @Extension(name = "x-rota-problem-404", value = "No node with this nodeId that you can see")
  public Page<TaskView> list(
      @QueryParam("nodeId") @Min(1) @Max(Long.MAX_VALUE) Long nodeId,
      @QueryParam("pool")
          @Size(max = 63)
          @Pattern(regexp = PoolResource.POOL, message = "must be a pool name")
          String pool,
      @Parameter(
              schema =
                  @Schema(
                      type = SchemaType.STRING,
                      maxLength = 16,
                      enumeration = {
                        "pending",
                        "admitted",
                        "running",
                        "preempting",
                        "succeeded",
                        "failed",
                        "cancelled"
                      }))
          @QueryParam("state")
          @Size(max = 16)
          String state,
      @QueryParam("priorityClass")
          @Size(max = 253)
          @Pattern(
              regexp = "[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?",
              message = "must be a PriorityClass name")
          String priorityClass,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
    String after = Page.decode(cursor);
    return Page.of(
        queries.list(
            caller,
            new Filter(nodeId, pool, state, priorityClass),
            after == null ? null : Cursors.number(after),
            limit + 1),
        limit,
        t -> String.valueOf(t.id()),
        TaskView::of);
  }

  @GET
  @Path("{id}/explain")
  @Operation(
      operationId = "explainTask",
      summary = "What a task is doing and why (viewers of its node)",
      description =
          "Pending: its place, the last round's reason, the numbers now and the victims it is"
              + " preempting. Admitted, running or preempting: the nodes it holds GPUs on and"
              + " until when minRuntime protects it. Any task: each preempted attempt, by which"
              + " task (its id only if you can see it), which rule and when.")
  @APIResponse(responseCode = "200", description = "What the task is doing and why")
  @Extension(name = "x-rota-problems", value = "404")
  public ExplainView explain(@PathParam("id") @Min(1) @Max(Long.MAX_VALUE) long id) {
    return ExplainView.of(queries.explain(caller, id));
  }

  @GET
  @Path("{id}/events")
  @Operation(
      operationId = "listTaskEvents",
      summary = "List a task's transitions",
      description =
          "Every state change of the task in time order, with its reason, attempt, time and"
              + " actor: submission, admission, start, preemption, retries and the end.")
  @APIResponse(responseCode = "200", description = "The transitions in time order")
  @Extension(name = "x-rota-problems", value = "404")
  public List<EventView> events(@PathParam("id") @Min(1) @Max(Long.MAX_VALUE) long id) {
    return tasks.events(caller, id).stream().map(EventView::of).toList();
  }

  @POST
  @Path("{id}/cancel")
  @Operation(
      operationId = "cancelTask",
      summary = "Cancel a task: your own as a member, any as an administrator of its node",
      description =
          "A pending task leaves the queue; an admitted or running one ends and frees its GPUs"
              + " at once, and its Pods are removed. A task that has already ended is a 409.")
  @APIResponse(responseCode = "200", description = "The task, cancelled")
  @Extension(name = "x-rota-problems", value = "403 404 409")
  @Extension(
      name = "x-rota-problem-403",
      value = "Another member's task, and you are no administrator of its node")
  @Extension(name = "x-rota-problem-409", value = "The task has already ended")
  public TaskView cancel(@PathParam("id") @Min(1) @Max(Long.MAX_VALUE) long id) {
    return TaskView.of(tasks.cancel(caller, id));
  }

  /** The submission a request asks for, as submit and simulate both take it. */
  static Submission submission(SubmitTask request, String submittedBy, String idempotencyKey) {
    List<VolumeMount> mounts = request.mounts();
    return new Submission(
        request.nodeId(),
        request.pool(),
        request.replicas(),
        request.gpusPerReplica(),
        request.priorityClass(),
        spec(request.container(), mounts),
        request.minRuntimeDuration(),
        request.maxRuntimeDuration(),
        submittedBy,
        idempotencyKey,
        mounts.stream()
            .map(m -> new Mount(m.volumeId(), m.mountPath(), m.readOnlyOrDefault()))
            .toList());
  }

  /**
   * What the Pods run, kept as the task's spec: {@code {"container": {...}, "volumes":
   * [{"volumeId", "claimName", "mountPath", "readOnly"}]}}. The claims are storage's (the service
   * checks at submit that each volume is attached at the task's node, so its claim is in the Pods'
   * namespace).
   */
  static String spec(Container container, List<VolumeMount> mounts) {
    List<SpecVolume> volumes =
        mounts.stream()
            .map(
                m ->
                    new SpecVolume(
                        m.volumeId(),
                        TaskVolumes.claimName(m.volumeId()),
                        m.mountPath(),
                        m.readOnlyOrDefault()))
            .toList();
    try (Jsonb jsonb = JsonbBuilder.create()) {
      return jsonb.toJson(new Spec(container, volumes));
    } catch (Exception e) {
      throw new IllegalStateException("Could not keep the task's spec", e);
    }
  }

  /** The task's spec as stored. */
  public record Spec(Container container, List<SpecVolume> volumes) {}

  /** One volume in the task's spec. */
  public record SpecVolume(long volumeId, String claimName, String mountPath, boolean readOnly) {}
}
