package dev.rota.queue.internal.rest;

import dev.rota.platform.Caller;
import dev.rota.queue.internal.application.TaskSimulator;
import dev.rota.queue.internal.rest.PreemptionWire.SimulationView;
import dev.rota.queue.internal.rest.TaskWire.SubmitTask;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * What-if for a task: {@code POST /api/v1/tasks:simulate}, a custom method in the style of Google's
 * API design guide. Its own first segment ({@code tasks:simulate}) never matches {@code
 * tasks/{id}}.
 */
@Path("tasks:simulate")
@RequestScoped
@Tag(name = "Queue")
@Produces(MediaType.APPLICATION_JSON)
public class TaskSimulationResource {

  @Inject TaskSimulator simulator;
  @Inject Caller caller;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "simulateTask",
      summary = "What submitting this task would do now, changing nothing (members)",
      description =
          "Takes the body of POST /api/v1/tasks, checked and authorized exactly as a submission."
              + " Runs the real submission and the pool's admission round up to this task's"
              + " decision in a transaction that is rolled back, and answers with the outcome:"
              + " admitted (on which nodes), preempting (the exact victims, with rule, node and"
              + " GPUs; ids only of tasks you can see) or waiting (the reason and its numbers).")
  public SimulationView simulate(@Valid @NotNull SubmitTask request) {
    return SimulationView.of(
        simulator.simulate(caller, TaskResource.submission(request, caller.name(), null)));
  }
}
