package dev.retrain.models.dataset;

/**
 * One thing wrong with input data: where (file, column) and why. Either place may be
 * {@code null}.
 */
public record DataIssue(String file, String column, String reason) {

	@Override
	public String toString() {
		StringBuilder sb = new StringBuilder();
		if (this.file != null) {
			sb.append("file ").append(this.file);
		}
		if (this.column != null) {
			sb.append(sb.isEmpty() ? "" : ", ").append("column '").append(this.column).append('\'');
		}
		return sb.append(sb.isEmpty() ? "" : ": ").append(this.reason).toString();
	}

}
