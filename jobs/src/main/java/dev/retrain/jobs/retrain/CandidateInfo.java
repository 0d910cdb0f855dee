package dev.retrain.jobs.retrain;

import java.util.List;

import dev.retrain.models.features.DerivedState;
import dev.retrain.models.features.FeatureEncoding;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.profile.ReferenceProfile;
import dev.retrain.models.search.SearchResult;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.ModelShape;
import dev.retrain.models.training.TrainingResult;

/**
 * What the train step produced besides the parameters: how it trained and what it learnt,
 * the search that chose its settings (null without one), and its derived features' state
 * (null without any).
 */
record CandidateInfo(String mode, String modeReason, Integer parentVersion, List<FeatureEncoding> features,
		LabelEncoding label, ModelShape shape, Hyperparameters hyperparameters, TrainingResult training,
		ReferenceProfile profile, SearchResult search, DerivedState derived) {
}
