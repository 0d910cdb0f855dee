package dev.retrain.jobs.backtest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.backtest.BacktestReport.PolicyResult;

/**
 * Step 2 of the backtest job: reads every policy's result, adds the baselines and writes
 * the report ({@link ReportWriter}) into the backtest's directory. Its elapsed time is
 * the replays' time, summed over policies.
 */
class ReportStep implements Tasklet {

	private final Path dataDir;

	ReportStep(Path dataDir) {
		this.dataDir = dataDir;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) throws Exception {
		StepExecution step = contribution.getStepExecution();
		BacktestDirectory dir = BacktestDirectory.of(this.dataDir, step.getJobParameters());
		BacktestPlan plan = dir.plan(step.getJobParameters());
		List<PolicyResult> results = new ArrayList<>();
		for (int i = 0; i < plan.policies().size(); i++) {
			PolicyResult result = dir.readResult(i);
			if (!result.name().equals(plan.policies().get(i).name())) {
				throw new IllegalStateException(dir.result(i) + " holds policy '" + result.name() + "', not '"
						+ plan.policies().get(i).name() + "'");
			}
			results.add(result);
		}
		long elapsed = results.stream().mapToLong(PolicyResult::totalMillis).sum();
		ReportWriter.write(Backtester.report(plan, results, elapsed), dir.path());
		step.getExecutionContext()
			.putString(ReplayStep.PROGRESS,
					"report written: " + results.size() + " policies, " + plan.periods().size() + " periods each");
		return RepeatStatus.FINISHED;
	}

}
