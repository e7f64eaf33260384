import anxiety_alarm from '../../content/illustrations/anxiety/alarm.svg';
import anxiety_approach from '../../content/illustrations/anxiety/approach.svg';
import anxiety_cycle from '../../content/illustrations/anxiety/cycle.svg';
import anxiety_diary from '../../content/illustrations/anxiety/diary.svg';
import anxiety_here_and_now from '../../content/illustrations/anxiety/here-and-now.svg';
import anxiety_plan from '../../content/illustrations/anxiety/plan.svg';
import anxiety_steps from '../../content/illustrations/anxiety/steps.svg';
import anxiety_two_kinds from '../../content/illustrations/anxiety/two-kinds.svg';
import anxiety_welcome from '../../content/illustrations/anxiety/welcome.svg';
import anxiety_worry_time from '../../content/illustrations/anxiety/worry-time.svg';
import depression_activity_diary from '../../content/illustrations/depression/activity-diary.svg';
import depression_activity_types from '../../content/illustrations/depression/activity-types.svg';
import depression_growing_plant from '../../content/illustrations/depression/growing-plant.svg';
import depression_staircase from '../../content/illustrations/depression/staircase.svg';
import depression_umbrella from '../../content/illustrations/depression/umbrella.svg';
import depression_vicious_cycle from '../../content/illustrations/depression/vicious-cycle.svg';
import depression_week_plan from '../../content/illustrations/depression/week-plan.svg';
import sleep_bed_for_sleep from '../../content/illustrations/sleep/bed-for-sleep.svg';
import sleep_bedroom from '../../content/illustrations/sleep/bedroom.svg';
import sleep_get_up from '../../content/illustrations/sleep/get-up.svg';
import sleep_moon_bed from '../../content/illustrations/sleep/moon-bed.svg';
import sleep_morning_sun from '../../content/illustrations/sleep/morning-sun.svg';
import sleep_sleep_diary from '../../content/illustrations/sleep/sleep-diary.svg';
import sleep_sleep_window from '../../content/illustrations/sleep/sleep-window.svg';
import sleep_thought_cloud from '../../content/illustrations/sleep/thought-cloud.svg';
import sleep_two_forces from '../../content/illustrations/sleep/two-forces.svg';
import sleep_wind_down from '../../content/illustrations/sleep/wind-down.svg';
import stress_balance_scale from '../../content/illustrations/stress/balance-scale.svg';
import stress_battery from '../../content/illustrations/stress/battery.svg';
import stress_body_signals from '../../content/illustrations/stress/body-signals.svg';
import stress_breathing from '../../content/illustrations/stress/breathing.svg';
import stress_circle_of_control from '../../content/illustrations/stress/circle-of-control.svg';
import stress_garden_gate from '../../content/illustrations/stress/garden-gate.svg';
import stress_notebook from '../../content/illustrations/stress/notebook.svg';
import stress_path_ahead from '../../content/illustrations/stress/path-ahead.svg';
import stress_stepping_stones from '../../content/illustrations/stress/stepping-stones.svg';
import stress_welcome from '../../content/illustrations/stress/welcome.svg';
import { ILLUSTRATION_NAME, type IllustrationSource } from '../content/illustrations.ts';

/**
 * Every course illustration, bundled as text for Workers (wrangler.toml's Text rule for `*.svg`): a
 * Worker has no file system to read content/illustrations from, as nodeIllustrations does on Node.
 * test/worker/illustrations.test.ts checks that this list holds every SVG in the folder, so every one a
 * flow shows.
 */
const svgs: Record<string, string> = {
  'anxiety/alarm': anxiety_alarm,
  'anxiety/approach': anxiety_approach,
  'anxiety/cycle': anxiety_cycle,
  'anxiety/diary': anxiety_diary,
  'anxiety/here-and-now': anxiety_here_and_now,
  'anxiety/plan': anxiety_plan,
  'anxiety/steps': anxiety_steps,
  'anxiety/two-kinds': anxiety_two_kinds,
  'anxiety/welcome': anxiety_welcome,
  'anxiety/worry-time': anxiety_worry_time,
  'depression/activity-diary': depression_activity_diary,
  'depression/activity-types': depression_activity_types,
  'depression/growing-plant': depression_growing_plant,
  'depression/staircase': depression_staircase,
  'depression/umbrella': depression_umbrella,
  'depression/vicious-cycle': depression_vicious_cycle,
  'depression/week-plan': depression_week_plan,
  'sleep/bed-for-sleep': sleep_bed_for_sleep,
  'sleep/bedroom': sleep_bedroom,
  'sleep/get-up': sleep_get_up,
  'sleep/moon-bed': sleep_moon_bed,
  'sleep/morning-sun': sleep_morning_sun,
  'sleep/sleep-diary': sleep_sleep_diary,
  'sleep/sleep-window': sleep_sleep_window,
  'sleep/thought-cloud': sleep_thought_cloud,
  'sleep/two-forces': sleep_two_forces,
  'sleep/wind-down': sleep_wind_down,
  'stress/balance-scale': stress_balance_scale,
  'stress/battery': stress_battery,
  'stress/body-signals': stress_body_signals,
  'stress/breathing': stress_breathing,
  'stress/circle-of-control': stress_circle_of_control,
  'stress/garden-gate': stress_garden_gate,
  'stress/notebook': stress_notebook,
  'stress/path-ahead': stress_path_ahead,
  'stress/stepping-stones': stress_stepping_stones,
  'stress/welcome': stress_welcome,
};

export const workerIllustrations: IllustrationSource = (name) =>
  ILLUSTRATION_NAME.test(name) && Object.hasOwn(svgs, name) ? svgs[name] : undefined;
