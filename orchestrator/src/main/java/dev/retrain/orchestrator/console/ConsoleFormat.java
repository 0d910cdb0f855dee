package dev.retrain.orchestrator.console;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

import org.springframework.stereotype.Component;

import dev.retrain.models.metrics.Metric;

/**
 * Numbers as the console's pages show them ({@code ${@consoleFormat.num(x)}}): four
 * significant digits, counts as integers, and a difference of a metric with which way is
 * better (higher for accuracy, f1 and roc_auc; lower for log_loss, rmse and mae).
 */
@Component("consoleFormat")
public class ConsoleFormat {

	private static final int DIGITS = 4;

	/** A value to four significant digits (an integer from 1000 on); blank for null. */
	public String num(Double value) {
		if (value == null) {
			return "";
		}
		if (!Double.isFinite(value)) {
			return value.isNaN() ? "-" : value.toString();
		}
		if (value == Math.rint(value) && Math.abs(value) < 1e15) {
			return Long.toString(value.longValue());
		}
		BigDecimal d = BigDecimal.valueOf(value);
		int integerDigits = (d.abs().compareTo(BigDecimal.ONE) < 0) ? 0 : d.precision() - d.scale();
		int scale = (integerDigits >= DIGITS) ? 0
				: (integerDigits > 0) ? DIGITS - integerDigits : leadingZeros(d.abs()) + DIGITS;
		return d.setScale(scale, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
	}

	/** A holdout's value: {@code rows} (and any count) as an integer, metrics as num. */
	public String metric(String key, Double value) {
		if (value != null && key != null && key.toLowerCase(Locale.ROOT).endsWith("rows")) {
			return Long.toString(Math.round(value));
		}
		return num(value);
	}

	/** A difference with its sign ({@code +0.0012}, {@code -0.0004}). */
	public String delta(Double value) {
		if (value == null) {
			return "";
		}
		String n = num(value);
		return (value > 0) ? "+" + n : n;
	}

	/**
	 * Whether a difference (new minus old) of {@code metric} is {@code better},
	 * {@code worse} or {@code same}; blank for what has no direction (row counts).
	 */
	public String verdict(String metric, Double delta) {
		Metric m = metric(metric);
		if (m == null || delta == null || !Double.isFinite(delta)) {
			return "";
		}
		double improvement = m.improvement(delta, 0);
		return (improvement > 0) ? "better" : (improvement < 0) ? "worse" : "same";
	}

	/** The cue beside a difference: an arrow and the verdict ({@code ▲ better}). */
	public String cue(String metric, Double delta) {
		return switch (verdict(metric, delta)) {
			case "better" -> "\u25B2 better";
			case "worse" -> "\u25BC worse";
			case "same" -> "= same";
			default -> "";
		};
	}

	/** Which way is better for {@code metric}, in words; blank for an unknown one. */
	public String direction(String metric) {
		Metric m = metric(metric);
		return (m == null) ? "" : m.higherIsBetter() ? "higher is better" : "lower is better";
	}

	private static Metric metric(String key) {
		try {
			return (key != null) ? Metric.fromKey(key) : null;
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/**
	 * Zeros right of the point before the first significant digit of a number below 1.
	 */
	private static int leadingZeros(BigDecimal belowOne) {
		if (belowOne.signum() == 0) {
			return 0;
		}
		return belowOne.scale() - belowOne.precision();
	}

}
