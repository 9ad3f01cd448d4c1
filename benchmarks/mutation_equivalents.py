"""Mutants of the reference solutions that no test can or should catch, each with the reason.

Keys are :class:`benchmarks.mutation.Mutant` idents (``function:line:column:operator``, lines
counted in the notebook cell); ``python -m benchmarks.mutation ASSIGNMENT`` lists the survivors
to review. A mutant belongs here only when the statement does not ask for what it changes.
"""

#: The reason shared by 06_cnn_resnet's detection-head mutants.
BACKBONE = "the statement gives the detection backbone as an example (« par exemple »): any backbone is right"

#: The reasons shared by 09_mini_project's mutants of the student's own design and of its figures' look.
DESIGN_09 = ("the improved builders are the student's own design (layers, filters, kernels, pooling, padding, "
             "activations, dropout, augmentation factors): this change is a valid choice within the judged bounds")
BEST_09 = ("BEST_MODEL is the student's own design: with this change (within the judged bounds) it still beats the "
           "baseline by the calibrated gain")
CALLBACKS_09 = ("the statement leaves the callbacks' settings to the student (their presence is the training "
                "strategy): this patience or restore_best_weights is a valid choice")
LOOK_09 = "the figure's look (title, axis labels, legend, size, spacing, ticks, grid) is not graded"
SHOW_09 = "plt.show() only displays the figure, which the notebook shows anyway"
VERBOSE_09 = "verbose only prints progress: the computed values are the same"

EQUIVALENT: dict[str, dict[str, str]] = {
    "00_fundamentals": {
        "gradient_descent:1:31:constant": "the skeleton gives the defaults; the graders always pass theta0",
        "gradient_descent:1:42:constant": "the skeleton gives the defaults; the graders always pass alpha",
        "gradient_descent:1:54:constant": "the skeleton gives the defaults; the graders always pass limit",
        "gradient_descent:1:67:constant": "the skeleton gives the defaults; the graders always pass epsilon",
        "fit_linear_regression:18:39:constant": "the skeleton gives the defaults; the graders always pass epochs",
        "fit_linear_regression:18:47:constant": "the skeleton gives the defaults; the graders always pass lr",
        "build_cnn:16:24:constant": "the skeleton gives the defaults; the graders always pass n_classes",
        "one_hot_labels:1:32:constant": "the skeleton gives the defaults; the graders always pass n_classes",
        "sheet_tensors:11:17:swap": "torch.zeros(3, 3) with its two sizes swapped is the same tensor",
        "sheet_tensors:12:18:swap": "torch.randn(3, 3) with its two sizes swapped is the same draw",
        "gradient_descent:26:8:remove": "dyi = theta.grad already aliases the gradient, which zero_() and backward() "
                                        "update in place: the second assignment changes nothing",
        "train_steps:33:15:swap": "the MSE is symmetric: loss_fn(y, model(X)) has the same value and gradients",
        "make_linear_data:13:8:operator.Add": "3X − noise·N(0, 1) has the same law as 3X + noise·N(0, 1)",
    },
    "01_regression": {
        "train_model:1:48:constant": "the default of epochs is the notebook's own budget: graders always pass epochs",
        "train_model:1:64:constant": "the default of batch_size is never used by the graders, which always pass it",
        "train_model:16:94:constant": "verbose=1 only prints progress",
        "compute_metrics:12:4:remove": "y_true is documented as shape (n,): ravel/asarray change nothing for it",
        "compute_metrics:12:13:call.ravel": "y_true is documented as shape (n,): ravel() changes nothing for it",
        "plot_learning_curve:16:4:remove": "the statement asks for labelled curves, a legend and axis titles, "
                                           "not a figure title",
        "plot_learning_curve:11:39:constant": "the figure's size is not graded",
        "plot_learning_curve:11:42:constant": "the figure's size is not graded",
    },
    "02_mnist_cnn": {
        "build_loaders:18:70:constant": "the MNIST files are already under torchvision_root(): download=False "
                                        "loads them the same",
        "build_loaders:19:70:constant": "the MNIST files are already under torchvision_root(): download=False "
                                        "loads them the same",
        "evaluate:18:23:call.item": "without .item() the count is a tensor (no graph under no_grad): the accuracy has "
                               "the same value, and the graders accept a number-like tensor",
        "evaluate:20:18:call.numpy": "without .numpy() the predictions are a tensor of the same classes: the graders "
                               "accept tensors wherever arrays are documented",
        "compute_confusion_matrix:1:57:constant": "the signature and its default are given in the skeleton: "
                                                  "graders always pass num_classes",
    },
    "04_mnist_mlops": {
        "train_model:15:107:constant": "verbose=1 only prints progress",
        "evaluate_model:26:60:constant": "verbose=1 only prints progress",
        "create_app:60:53:constant": "verbose=1 in the API's model.predict only prints progress",
        "predict_with_api:13:66:constant": "the client's time limit (30 s or 31 s) is not graded; the stand-in answers "
                                           "at once",
        "predict_with_api:12:40:constant": "numpy's reshape reads any negative size as 'the rest': reshape(-2) is "
                                           "reshape(-1)",
        "predict_with_api:14:4:call.raise_for_status": "the API's error answers hold no prediction: reading it "
                                                       "raises (KeyError) without raise_for_status too",
        "predict_with_api:14:4:remove": "the API's error answers hold no prediction: reading it raises (KeyError) "
                                        "without raise_for_status too",
        "top_predictions:31:4:remove": "np.argsort and indexing work the same on the list or array received: "
                                       "converting first changes nothing",
    },
    "09_mini_project": {
        "create_improved_model_1:16:77:constant": "the improved builders are the student's own design: tanh in a "
                                                  "convolution is a valid choice",
        "create_improved_model_1:17:46:constant": "the improved builders are the student's own design: a 3×3 pooling "
                                                  "is a valid choice",
        "create_improved_model_1:18:58:constant": "the improved builders are the student's own design: 'valid' "
                                                  "padding still leaves a 1×1 map",
        "create_improved_model_1:20:26:constant": "the improved builders are the student's own design: 129 filters is "
                                                  "a valid choice",
        "create_improved_model_1:24:41:constant": "the improved builders are the student's own design: tanh in the "
                                                  "dense layer is a valid choice",
        "create_improved_model_1:28:28:constant": "the improved builders are the student's own design: SGD is a "
                                                  "listed hyper-parameter change, and only BEST_MODEL is retrained",
        "create_improved_model_2:16:61:constant": "BEST_MODEL is the student's own design: with tanh in the first "
                                                  "convolution it still beats the baseline by the calibrated gain",
        "create_improved_model_2:22:25:constant": "BEST_MODEL is the student's own design: 129 dense units still beat "
                                                  "the baseline by the calibrated gain",
        "create_improved_model_3:19:12:swap": "RandomTranslation(0.1, 0.1) with its two factors swapped is the same "
                                              "layer",
        "create_improved_model_3:20:26:constant": "the improved builders are the student's own design: 33 filters is "
                                                  "a valid choice",
        "create_improved_model_3:20:46:constant": "the improved builders are the student's own design: a 4×3 kernel "
                                                  "is a valid choice",
        "create_improved_model_3:20:61:constant": "the improved builders are the student's own design: tanh in a "
                                                  "convolution is a valid choice",
        "create_improved_model_3:21:43:constant": "the improved builders are the student's own design: a 3×2 pooling "
                                                  "is a valid choice",
        "create_improved_model_3:22:26:constant": "the improved builders are the student's own design: 65 filters is "
                                                  "a valid choice",
        "create_improved_model_3:23:46:constant": "the improved builders are the student's own design: a 3×2 pooling "
                                                  "is a valid choice",
        "create_improved_model_3:25:25:constant": "the improved builders are the student's own design: 129 dense "
                                                  "units is a valid choice",
        "create_improved_model_3:29:28:constant": "the improved builders are the student's own design: SGD is a "
                                                  "listed hyper-parameter change, and only BEST_MODEL is retrained",
        "evaluate_model:34:4:call.tight_layout": "figure.tight_layout() only adjusts the spacing of the learning "
                                                 "curves' figure",
        "analyze_errors:27:36:constant": "the figure's size is not graded",
        "analyze_errors:28:8:remove": "hiding the axes of the error images is cosmetic",
        "analyze_errors:29:12:remove": "hiding the axes of the error images is cosmetic",
        "analyze_errors:34:8:remove": "figure.tight_layout() only adjusts the spacing",
        "analyze_errors:34:8:call.tight_layout": "figure.tight_layout() only adjusts the spacing",
        "analyze_errors:40:4:remove": "the statement asks for a bar chart of the error rates, not its axis titles",
        "analyze_errors:43:4:remove": "a grid is cosmetic",
        "add_gaussian_noise:14:11:swap": "np.clip(0, X + noise, 1) computes min(max(0, X + noise), 1): the same values",
        "rotate_randomly:1:33:constant": "the default of max_angle is never used by the graders, which always pass it",
        "rotate_randomly:17:88:constant": "the statement does not prescribe the interpolation order (scipy's default "
                                          "is 3): order=2 rotates by the same angles",
        "test_robustness:1:38:constant": "the default of seed is never used by the graders, which always pass it",
        "test_robustness:28:47:constant": "the figure's size is not graded",
        "test_robustness:29:4:remove": "the examples' figure is for the report, judged by hand (the valid alternative "
                                       "example draws titles only): its images are not graded",
        "test_robustness:36:4:call.show": "plt.show() only displays the figure, which the notebook shows anyway",
        "test_robustness:36:4:remove": "plt.show() only displays the figure, which the notebook shows anyway",
        "compare_models:22:65:constant": "the figure's size is not graded",
        "compare_models:24:4:remove": "the statement asks for two bar charts, not their titles",
        "compare_models:30:4:remove": "rotating the tick labels is cosmetic",
        "compare_models:32:4:remove": "figure.tight_layout() only adjusts the spacing",
        "create_improved_model_1:17:43:constant": DESIGN_09,
        "create_improved_model_1:19:43:constant": DESIGN_09,
        "create_improved_model_1:20:44:constant": DESIGN_09,
        "create_improved_model_1:18:46:constant": DESIGN_09,
        "create_improved_model_1:23:27:constant": DESIGN_09,
        "create_improved_model_1:16:26:constant": DESIGN_09,
        "create_improved_model_1:19:46:constant": DESIGN_09,
        "create_improved_model_1:24:25:constant": DESIGN_09,
        "create_improved_model_1:21:43:constant": DESIGN_09,
        "create_improved_model_1:16:58:constant": DESIGN_09,
        "create_improved_model_1:18:43:constant": DESIGN_09,
        "create_improved_model_1:20:47:constant": DESIGN_09,
        "create_improved_model_1:18:77:constant": DESIGN_09,
        "create_improved_model_1:16:46:constant": DESIGN_09,
        "create_improved_model_1:20:59:constant": DESIGN_09,
        "create_improved_model_1:16:43:constant": DESIGN_09,
        "create_improved_model_1:18:26:constant": DESIGN_09,
        "create_improved_model_1:21:46:constant": DESIGN_09,
        "create_improved_model_1:20:78:constant": DESIGN_09,
        "create_improved_model_2:22:41:constant": BEST_09,
        "create_improved_model_2:21:27:constant": BEST_09,
        "create_improved_model_2:28:54:constant": BEST_09,
        "create_improved_model_2:16:26:constant": BEST_09,
        "create_improved_model_2:32:33:constant": BEST_09,
        "create_improved_model_2:19:46:constant": BEST_09,
        "create_improved_model_2:16:46:constant": BEST_09,
        "create_improved_model_2:17:43:constant": BEST_09,
        "create_improved_model_2:17:46:constant": BEST_09,
        "create_improved_model_2:16:43:constant": BEST_09,
        "create_improved_model_2:18:61:constant": BEST_09,
        "create_improved_model_2:23:27:constant": BEST_09,
        "create_improved_model_2:18:46:constant": BEST_09,
        "create_improved_model_2:18:43:constant": BEST_09,
        "create_improved_model_2:19:43:constant": BEST_09,
        "create_improved_model_2:18:26:constant": BEST_09,
        "create_improved_model_3:22:43:constant": DESIGN_09,
        "create_improved_model_3:22:61:constant": DESIGN_09,
        "create_improved_model_3:17:34:constant": DESIGN_09,
        "create_improved_model_3:23:43:constant": DESIGN_09,
        "create_improved_model_3:18:30:constant": DESIGN_09,
        "create_improved_model_3:22:46:constant": DESIGN_09,
        "create_improved_model_3:20:43:constant": DESIGN_09,
        "create_improved_model_3:19:42:constant": DESIGN_09,
        "create_improved_model_3:19:37:constant": DESIGN_09,
        "create_improved_model_3:25:41:constant": DESIGN_09,
        "create_improved_model_3:21:46:constant": DESIGN_09,
        "create_improved_model_3:31:83:constant": CALLBACKS_09,
        "create_improved_model_3:32:67:constant": CALLBACKS_09,
        "create_improved_model_3:32:91:constant": CALLBACKS_09,
        "evaluate_model:1:87:constant": "the skeleton gives the defaults; the graders always pass epochs",
        "evaluate_model:20:72:constant": VERBOSE_09,
        "evaluate_model:23:48:constant": VERBOSE_09,
        "evaluate_model:26:37:swap": "two panels stacked (subplots(2, 1)) show the same curves: the graders check the "
                                     "curves, not their layout",
        "evaluate_model:26:65:constant": LOOK_09,
        "evaluate_model:26:69:constant": LOOK_09,
        "evaluate_model:30:8:remove": LOOK_09,
        "evaluate_model:31:8:remove": LOOK_09,
        "evaluate_model:32:8:remove": LOOK_09,
        "evaluate_model:33:8:remove": LOOK_09,
        "evaluate_model:33:8:call.legend": LOOK_09,
        "evaluate_model:34:4:remove": LOOK_09,
        "evaluate_model:35:4:remove": SHOW_09,
        "evaluate_model:35:4:call.show": SHOW_09,
        "analyze_errors:15:4:remove": "the graders pass y as arrays, as the statement describes it: converting first "
                                      "changes nothing",
        "analyze_errors:17:44:constant": VERBOSE_09,
        "analyze_errors:21:23:constant": "no image is of class 10: range(11) adds no rate",
        "analyze_errors:26:7:operator.Gt": "with no misclassified image, >= only draws an empty grid: the same "
                                           "results, a blank figure",
        "analyze_errors:27:23:swap": "a 5×2 grid shows the same ten error images: the layout is not graded",
        "analyze_errors:27:39:constant": "a 2×6 grid shows the same ten error images: the layout is not graded",
        "analyze_errors:27:51:constant": LOOK_09,
        "analyze_errors:27:55:constant": LOOK_09,
        "analyze_errors:30:58:constant": "zip stops at the grid's ten axes: misclassified[:11] shows the same images",
        "analyze_errors:31:22:swap": "reshape(28, 28) with its two sizes swapped is the same shape",
        "analyze_errors:33:8:remove": LOOK_09,
        "analyze_errors:37:39:constant": LOOK_09,
        "analyze_errors:37:43:constant": LOOK_09,
        "analyze_errors:39:4:remove": LOOK_09,
        "analyze_errors:41:4:remove": LOOK_09,
        "analyze_errors:42:4:remove": LOOK_09,
        "analyze_errors:42:24:constant": LOOK_09,
        "analyze_errors:43:28:constant": LOOK_09,
        "analyze_errors:35:8:remove": SHOW_09,
        "analyze_errors:35:8:call.show": SHOW_09,
        "analyze_errors:44:4:remove": SHOW_09,
        "analyze_errors:44:4:call.show": SHOW_09,
        "add_gaussian_noise:1:32:constant": "the default of sigma is never used by the graders, which always pass it",
        "add_gaussian_noise:1:42:constant": "the default of seed is never used by the graders, which always pass it",
        "add_gaussian_noise:14:19:operator.Add": "the noise N(0, sigma²) is symmetric: X - noise has the same law as "
                                                 "X + noise",
        "rotate_randomly:1:42:constant": "the default of seed is never used by the graders, which always pass it",
        "test_robustness:15:4:remove": "the graders pass y as arrays, as the statement describes it: converting first "
                                       "changes nothing",
        "test_robustness:24:52:constant": VERBOSE_09,
        "test_robustness:28:32:constant": "a fourth, empty row of axes changes only the examples' layout",
        "test_robustness:28:35:constant": "a sixth, empty column of axes changes only the examples' layout",
        "test_robustness:28:51:constant": LOOK_09,
        "test_robustness:30:8:remove": "the examples' figure is for the report, judged by hand: its images are not "
                                       "graded",
        "test_robustness:31:12:remove": "the examples' figure is for the report, judged by hand: its images are not "
                                        "graded",
        "test_robustness:31:37:swap": "reshape(28, 28) with its two sizes swapped is the same shape",
        "test_robustness:32:12:remove": LOOK_09,
        "test_robustness:33:8:remove": LOOK_09,
        "test_robustness:33:18:constant": LOOK_09,
        "test_robustness:33:50:operator.Mult": "the accuracy printed in an example's title is not graded (the "
                                               "returned scores are)",
        "test_robustness:33:50:constant": "the accuracy printed in an example's title is not graded (the returned "
                                          "scores are)",
        "test_robustness:34:4:remove": LOOK_09,
        "test_robustness:35:4:remove": LOOK_09,
        "test_robustness:35:4:call.tight_layout": LOOK_09,
        "compare_models:20:4:remove": "the statement asks for the names as index, not for the index's name",
        "compare_models:22:37:swap": "two charts stacked (subplots(2, 1)) show the same bars: the layout is not graded",
        "compare_models:22:69:constant": LOOK_09,
        "compare_models:25:4:remove": LOOK_09,
        "compare_models:28:4:remove": LOOK_09,
        "compare_models:29:4:remove": LOOK_09,
        "compare_models:31:8:remove": LOOK_09,
        "compare_models:31:47:constant": LOOK_09,
        "compare_models:32:4:call.tight_layout": LOOK_09,
        "compare_models:26:4:remove": "without set_ylim every bar is still visible: the accuracy axis's limits are "
                                      "the student's choice",
        "compare_models:26:56:constant": "a top of 101 still shows every bar: the accuracy axis's limits are the "
                                         "student's choice",
    },
    "05_improving_networks": {
        "make_optimizer:18:4:remove": "the statement names three optimizers and asks nothing for another name: "
                                      "returning None for it is not graded",
        "plot_history:12:56:constant": "the figure's size is not graded",
        "plot_history:12:60:constant": "the figure's size is not graded",
        "plot_history:12:28:swap": "two panels stacked (subplots(2, 1)) show the same curves apart as well: the "
                                   "graders check two distinct axes, not their layout",
        "plot_history:18:8:remove": "the statement asks for labelled curves, a legend and axis titles, not a "
                                    "panel title",
        "diagnose:19:9:operator.Gt": "a gap of exactly 0.02 is not representable in floating point (0.92 - 0.90 > "
                                     "0.02): the graders test gaps clearly above and below (0.021, 0.019, 0.0205, "
                                     "0.0195) on purpose, where > and >= agree",
        "compare_optimizers:23:81:constant": "the default batch size is neither tracked nor observable in the "
                                             "runs (the statement tracks optimizer and epochs only)",
        "track_batchnorm:27:78:constant": "the default batch size is neither tracked nor observable in the run "
                                          "(the statement tracks optimizer and epochs only)",
        "compare_optimizers:45:39:constant": "verbose=1 only prints progress",
        "compare_optimizers:49:69:constant": "verbose=1 only prints progress",
        "track_batchnorm:46:109:constant": "verbose=1 only prints progress",
        "track_batchnorm:49:65:constant": "verbose=1 only prints progress",
    },
    "03_fashion_cnn": {
        "preprocess_images:12:27:constant": "numpy's reshape takes any negative size as the unknown one: -2 acts as -1",
        "build_augmentation:11:39:constant": "10/361 of a turn is 9.97°: the 10° asked for, within the graders' "
                                             "10 % margin",
        "build_augmentation:12:12:swap": "height and width factors are both 0.1: swapping them changes nothing",
        "make_augmented_dataset:20:68:constant": "the default of batch_size is never used: graders and train_model "
                                                "always pass it",
        "make_augmented_dataset:20:78:constant": "the statement asks for a shuffle, not a particular default seed",
        "train_model:1:77:constant": "the default of batch_size is never used by the graders, which always pass it",
        "train_model:19:66:constant": "verbose=1 only prints progress",
        "train_model:21:86:constant": "verbose=1 only prints progress",
        "predict_classes:12:50:constant": "verbose=1 only prints progress",
        "plot_accuracy_curves:11:39:constant": "the figure's size is not graded",
        "plot_accuracy_curves:11:42:constant": "the figure's size is not graded",
        "plot_accuracy_curves:17:4:remove": "the statement asks for labelled curves, a legend and axis titles, "
                                            "not a figure title",
    },
    "06_cnn_resnet": {
        "build_detection_head:12:45:constant": BACKBONE,
        "build_detection_head:10:61:constant": BACKBONE,
        "build_detection_head:12:30:constant": BACKBONE,
        "build_detection_head:10:45:constant": BACKBONE,
        "build_detection_head:12:22:constant": BACKBONE,
        "build_detection_head:11:4:remove": BACKBONE,
        "build_detection_head:10:22:constant": BACKBONE,
        "build_detection_head:10:27:constant": BACKBONE,
        "build_detection_head:11:32:constant": BACKBONE,
        "build_detection_head:12:61:constant": BACKBONE,
        "build_detection_head:11:29:constant": BACKBONE,
        "build_detection_head:12:4:remove": BACKBONE,
        "build_detection_head:10:30:constant": BACKBONE,
        "build_detection_head:12:27:constant": BACKBONE,
        "total_loss:63:14:swap": "the mean squared difference is symmetric: content_loss(generated, target) is the "
                                 "same",
        "total_loss:64:12:swap": "(G(a) − G(b))² is symmetric: style targets and generated features swapped give the "
                                 "same style loss",
        "build_feature_extractor:1:41:constant": "the skeleton gives the defaults; the graders always pass input_shape",
        "build_feature_extractor:1:46:constant": "the skeleton gives the defaults; the graders always pass input_shape",
        "build_feature_extractor:1:51:constant": "the skeleton gives the defaults; the graders always pass input_shape",
        "build_feature_extractor:13:47:constant": "with weights=None, include_top=True only adds unused dense layers "
                                                  "after block5_pool: the six outputs are the same",
        "residual_block:1:38:constant": "the skeleton gives the defaults; the graders always pass stride",
        "encode_labels:25:66:constant": "numpy's reshape takes any negative size as the one to infer: (-2) is (-1)",
        "train_model:14:108:constant": "verbose=1 only prints progress",
        "evaluate_model:25:50:constant": "verbose=1 only prints progress",
        "plot_history:12:56:constant": "the figure's size is not graded",
        "plot_history:12:60:constant": "the figure's size is not graded",
        "plot_history:12:28:swap": "two panels stacked (subplots(2, 1)) show the same curves apart as well: the "
                                   "graders check two distinct axes, not their layout",
        "plot_history:18:8:remove": "the statement asks for labelled curves, a legend and axis titles, not a "
                                    "panel title",
    },
    "07_segmentation": {
        "make_discs:1:33:constant": "the skeleton gives the default seed; the graders always pass seed",
        "make_discs:20:29:constant": "a centre drawn at least 21 px from the borders still is at least 20 px: the "
                                     "margin is measured on the masks within 1.5 px, and 1 px is inside that error",
        "make_discs:21:29:constant": "radii drawn from 11 px instead of 10: the radius is measured on the masks within "
                                     "1.5 px, and 1 px is inside that error",
        "train_unet:19:29:constant": "verbose=1 only prints progress",
        "plot_segmentation:29:51:constant": "the figure's size is not graded",
        "plot_segmentation:29:54:constant": "the figure's size is not graded",
        "plot_segmentation:29:54:operator.Mult": "the figure's size is not graded",
        "plot_segmentation:29:39:constant": "an empty fourth column beside the three asked for, in order: extra axes "
                                            "are not penalised (a colorbar is one)",
        "plot_segmentation:29:74:constant": "squeeze=True keeps a 2-D grid for the k ≥ 2 images the statement plots",
        "plot_segmentation:36:12:remove": "axes left visible around the images: not asked",
        "plot_segmentation:37:4:remove": "the layout is not graded",
        "plot_segmentation:37:4:call.tight_layout": "the layout is not graded",
        "make_discs:20:40:constant": "a centre drawn at least 21 px from the borders still is at least 20 px",
        "make_discs:21:33:constant": "radii drawn up to 26 px instead of 25: the radius is measured on the masks "
                                     "within 1.5 px, and 1 px is inside that error",
        "make_discs:22:15:operator.LtE": "< or ≤ on the squared radius: they differ only on pixels exactly on the "
                                         "circle, of zero measure for a random radius",
        "make_discs:24:29:swap": "np.clip(0, x, 1) is minimum(maximum(0, x), 1), as np.clip(x, 0, 1)",
        "make_discs:24:37:operator.Add": "disc − N(0, 0.1) has the same law as disc + N(0, 0.1)",
        "build_unet:45:14:swap": "Conv2D(1, 1): the two arguments are equal",
        "build_unet:42:61:constant": "a 2×2 transposed convolution of stride 2 gives the same shape with padding "
                                     "'valid' or 'same'",
        "predict_masks:13:50:constant": "verbose=1 only prints progress",
        "track_conv3d:23:100:constant": "verbose=1 only prints progress",
        "track_conv3d:24:69:constant": "verbose=1 only prints progress",
        "dice_loss:22:17:swap": "the soft Dice is symmetric in its two arguments",
    },
    "08_attention": {
        "plot_forecast:8:4:remove": "arrays of (steps, 1): matplotlib draws the same curve from a column",
        "plot_forecast:11:39:constant": "the figure's size is not graded",
        "plot_forecast:11:42:constant": "the figure's size is not graded",
        "teacher_forcing_inputs:4:4:remove": "Y is documented as float32 (N, T, features): asarray changes nothing",
        "forecast:8:4:remove": "the encoder inputs are documented as float32 arrays: asarray changes nothing",
        "make_windows:18:4:remove": "the series is documented as a float32 array: asarray changes nothing",
        "scaled_dot_product_attention:16:4:remove": "keras.ops accept the numpy arrays as they are",
        "scaled_dot_product_attention:17:4:remove": "keras.ops accept the numpy arrays as they are",
        "scaled_dot_product_attention:21:60:constant": "masked scores at −2e9 or −1e9: weight 0 either way",
        "make_series:1:18:constant": "the skeleton gives the defaults; the graders always pass n",
        "make_series:1:29:constant": "the skeleton gives the defaults; the graders always pass seed",
        "forecast:1:47:constant": "the skeleton gives the defaults; the graders always pass output_len",
        "make_series:6:12:operator.Add": "x − 0.1·N(0, 1) has the same law as x + 0.1·N(0, 1)",
        "make_series:6:68:constant": "0.2·t/2001 moves the series by at most 1e-4, under "
                                     "the noise (σ 0.1) that any statistical check must tolerate",
        "evaluate_forecast:26:50:constant": "Y.shape[2] (1) repetitions of the last value "
                                            "broadcast against Y: the same persistence MSE",
        "train_seq2seq:25:101:constant": "verbose=1 only prints progress",
        "train_seq2seq:1:77:constant": "the skeleton gives the defaults; the graders always pass batch_size",
        "forecast:11:89:constant": "verbose=1 only prints progress",
        "plot_forecast:8:74:constant": "reshape(-2): numpy reads a negative size as the unknown one",
        "scaled_dot_product_attention:15:4:remove": "keras.ops accept the numpy arrays as they are",
    },
}
