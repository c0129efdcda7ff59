// Types of eslint.layers.js for the test that lints planted violations against it.
export interface LayerZone {
  target: string | string[];
  from: string | string[];
  except?: string[];
  message: string;
}
export declare const layerZones: LayerZone[];
