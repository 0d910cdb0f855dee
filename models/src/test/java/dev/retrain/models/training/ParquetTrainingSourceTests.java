package dev.retrain.models.training;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.ParquetTableWriter;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.features.FeatureEncoding;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ParquetTrainingSourceTests {

	@TempDir
	Path dir;

	static final List<FeatureSpec> FEATURES = List.of(FeatureSpec.numeric("a"), FeatureSpec.numeric("b"),
			FeatureSpec.categorical("c"));

	static final LabelEncoding LABEL = new LabelEncoding("y", Task.BINARY_CLASSIFICATION, List.of("no", "yes"));

	/** Three days of rows, each file in several small row groups; some values missing. */
	private List<DataFile> write(int rowsPerFile) throws Exception {
		Random r = new Random(3);
		List<DataFile> files = new ArrayList<>();
		for (int day = 0; day < 3; day++) {
			double[] a = new double[rowsPerFile];
			double[] b = new double[rowsPerFile];
			boolean[] bNull = new boolean[rowsPerFile];
			String[] c = new String[rowsPerFile];
			String[] y = new String[rowsPerFile];
			for (int i = 0; i < rowsPerFile; i++) {
				a[i] = r.nextGaussian() * 3 + day;
				b[i] = r.nextGaussian();
				bNull[i] = r.nextInt(20) == 0;
				c[i] = (r.nextInt(10) == 0) ? null : "k" + r.nextInt(4);
				double z = a[i] - day - (bNull[i] ? 0 : b[i]) + ("k1".equals(c[i]) ? 2 : 0);
				y[i] = (z + r.nextGaussian() * 0.5 > 0) ? "yes" : "no";
			}
			String name = "dt=2026-01-0" + (day + 1) + "/part.parquet";
			new ParquetTableWriter().doubles("a", a)
				.doubles("b", b, bNull)
				.strings("c", c)
				.strings("y", y)
				.rowGroupBytes(16 * 1024)
				.write(this.dir.resolve(name));
			files.add(new DataFile(name, LocalDate.of(2026, 1, day + 1), Files.size(this.dir.resolve(name)),
					rowsPerFile, ""));
		}
		return files;
	}

	private TrainingData inMemory(List<DataFile> files, FeatureEncoder encoder) {
		List<ColumnRequest> cols = List.of(ColumnRequest.numeric("a"), ColumnRequest.numeric("b"),
				ColumnRequest.string("c"), ColumnRequest.string("y"));
		Table t = new ParquetTableReader(this.dir).read(files, cols);
		return new TrainingData(encoder.encode(t), LABEL.encode(t), null, t.rows(), encoder.width());
	}

	@Test
	void streamsEveryRowOnceAndLearnsTheSameEncodingsAsTheWholeTable() throws Exception {
		List<DataFile> files = write(5000);
		assertThat(new ParquetTableReader(this.dir).rowGroups(files)).hasSizeGreaterThan(6);
		Hyperparameters hp = new Hyperparameters(1, 64, 0.01, 0, 0, 0, 7, null, false);
		ParquetTrainingSource source = ParquetTrainingSource.open(this.dir, files, FEATURES, null, LABEL, hp);
		List<ColumnRequest> cols = List.of(ColumnRequest.numeric("a"), ColumnRequest.numeric("b"),
				ColumnRequest.string("c"));
		FeatureEncoder whole = FeatureEncoder.fit(new ParquetTableReader(this.dir).read(files, cols), FEATURES);
		for (int f = 0; f < FEATURES.size(); f++) {
			FeatureEncoding s = source.encoder().encodings().get(f);
			FeatureEncoding w = whole.encodings().get(f);
			assertThat(s.vocabulary()).isEqualTo(w.vocabulary());
			if (w.mean() != null) {
				assertThat(s.mean()).isCloseTo(w.mean(), within(1e-12));
				assertThat(s.std()).isCloseTo(w.std(), within(1e-12));
			}
		}
		TrainingData memory = inMemory(files, source.encoder());

		TrainingSource.Split split = source.split(0.2, 11);
		assertThat(split.trainRows() + split.validationRows()).isEqualTo(15000);
		assertThat((double) split.validationRows() / 15000).isCloseTo(0.2, within(0.02));
		double[] sums = new double[3];
		long[] count = new long[2];
		for (boolean validation : new boolean[] { false, true }) {
			split.visit(validation, 100, 5L, (x, y, w, n) -> {
				assertThat(n).isLessThanOrEqualTo(100);
				for (int i = 0; i < n; i++) {
					sums[validation ? 1 : 0] += y[i];
					for (int j = 0; j < source.width(); j++) {
						sums[2] += x[i * source.width() + j] * (j + 1);
					}
				}
				count[validation ? 1 : 0] += n;
			});
		}
		assertThat(count[0]).isEqualTo(split.trainRows());
		assertThat(count[1]).isEqualTo(split.validationRows());
		double labels = 0;
		double features = 0;
		for (int i = 0; i < memory.rows(); i++) {
			labels += memory.targets()[i];
			for (int j = 0; j < memory.width(); j++) {
				features += memory.features()[i * memory.width() + j] * (j + 1);
			}
		}
		assertThat(sums[0] + sums[1]).isEqualTo(labels);
		assertThat(sums[2]).isCloseTo(features, within(1e-6 * Math.abs(features) + 1e-3));

		List<Double> firstEpoch = new ArrayList<>();
		List<Double> secondEpoch = new ArrayList<>();
		split.visit(false, 1000, 1L, (x, y, w, n) -> firstEpoch.add(x[0] + 3.0 * y[0]));
		split.visit(false, 1000, 2L, (x, y, w, n) -> secondEpoch.add(x[0] + 3.0 * y[0]));
		assertThat(firstEpoch).isNotEqualTo(secondEpoch);
	}

	@Test
	void newtonOnStreamedRowsFindsTheSameModelAsInMemoryAndAdamLearns() throws Exception {
		List<DataFile> files = write(4000);
		Hyperparameters newton = new Hyperparameters(30, 64, 0, 0.001, 0, 0, 7, null, false, Solver.NEWTON);
		ParquetTrainingSource source = ParquetTrainingSource.open(this.dir, files, FEATURES, null, LABEL, newton);
		ModelShape shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.LINEAR, List.of(), source.width(), 1);
		new ModelTrainer()
			.train(new ModelTrainer.Request(shape, newton, source, null, this.dir.resolve("s"), EpochListener.NONE));
		TrainingData memory = inMemory(files, source.encoder());
		new ModelTrainer()
			.train(new ModelTrainer.Request(shape, newton, memory, null, this.dir.resolve("m"), EpochListener.NONE));
		try (NDManager m = NDManager.newBaseManager()) {
			float[][] streamed = ParameterFiles
				.snapshot(ParameterFiles.load(shape, this.dir.resolve("s/final.params"), m));
			float[][] held = ParameterFiles.snapshot(ParameterFiles.load(shape, this.dir.resolve("m/final.params"), m));
			for (int p = 0; p < held.length; p++) {
				for (int j = 0; j < held[p].length; j++) {
					assertThat(streamed[p][j]).isCloseTo(held[p][j], within(1e-4f));
				}
			}
		}

		Hyperparameters adam = new Hyperparameters(4, 64, 0.01, 0, 2, 0.1, 7, null, false);
		ModelShape mlp = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.MLP, List.of(8), source.width(), 1);
		TrainingResult result = new ModelTrainer()
			.train(new ModelTrainer.Request(mlp, adam, source, null, this.dir.resolve("a"), EpochListener.NONE));
		assertThat(result.validationRows()).isBetween(1000, 1400);
		try (LoadedModel model = LoadedModel.load(mlp, this.dir.resolve("a/final.params"))) {
			assertThat(
					Metrics.compute(model.predict(memory.features(), memory.rows()), memory.targets()).get("accuracy"))
				.isGreaterThan(0.85);
		}
	}

}
